"""mobile"""
