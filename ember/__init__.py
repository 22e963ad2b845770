"""ember"""
